"""What the analytics domains (energy, fleet, rollups, KPIs, statistics, tariffs) share: settings, the use
calendar, the SQL of an interval's kWh and of a GPS segment, the energy alert vocabulary. It imports none of them."""
