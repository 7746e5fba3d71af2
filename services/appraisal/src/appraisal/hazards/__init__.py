"""The hazard register (隐患台账): safety hazards from discovery to verified removal."""
