"""The social barometer: psychological safety and well-being at work, measured
anonymously, next to what teams share in the journal."""
