"""Fleet: positions, tracks, trips and stops, distances, trip requests and alerts of official vehicles."""
