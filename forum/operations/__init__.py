"""Running Heard: backups, health checks and what an operator needs to keep it up."""
