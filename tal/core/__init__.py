"""What every area shares: errors, validation messages, templating, pagination."""
