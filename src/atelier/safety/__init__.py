"""Safety: prompt and output screening, the moderation policy, the review queue and the
audit log. The studio calls it; it imports only the store and its own modules. Models
load lazily, so importing this package is cheap."""
