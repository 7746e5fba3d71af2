"""Publication of a period's appraisal: immutable, versioned snapshots (公布考核结果)."""
