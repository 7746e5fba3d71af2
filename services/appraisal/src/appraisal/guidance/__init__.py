"""Standards, guidance and training (制度、工作指导、业务培训)."""
