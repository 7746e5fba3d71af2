"""The conference centre (会议中心): rooms, bookings, service records, feedback and annual figures."""
