"""Public feedback from visitors and companies (外来办事人员和企业): no account, rate-limited."""
