"""Pure decision functions over dated regulation data. No DB, HTTP, clock or environment."""
