"""Archive: the versioned documents of contracts and the archive search."""
