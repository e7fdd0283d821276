"""The JSON shapes of the API as pydantic models: what each /v1 route answers (its
OpenAPI response schema) and how studio records are shown to a caller. One module per
room; `common` holds what they share (times, pages of a listing)."""
