"""Quality metrics for the engines' output (`atelier eval …`)."""
