"""Awards: the yearly awards evaluation and the service stars nominated by the Bureau."""
