"""Training and fine-tuning the studio's own models (`atelier train …`)."""
