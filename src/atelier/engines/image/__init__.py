"""Image engines."""
