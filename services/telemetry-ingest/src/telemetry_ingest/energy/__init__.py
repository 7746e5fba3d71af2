"""Energy: consumption, comparisons, savings, base load, waste alerts and top consumers of the meters."""
