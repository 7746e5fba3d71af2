"""The canteen under mixed management (混合兼管): purchases, covers, monthly settlement."""
