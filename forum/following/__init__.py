"""What happened since the teller (or a follower) last looked, and following stories."""
