"""Projects: the outsourced service projects contracts are signed for."""
