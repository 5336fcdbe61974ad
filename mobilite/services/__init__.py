"""Business operations. They take plain data, never touch request, flash or templates, and commit once."""
