"""Music engines: one canonical type (piece.py), files at the edges (files.py reads,
render.py writes: audio, MIDI, MusicXML, score), shared parameters (common.py)."""
