"""Stories, replies and support reactions: what tellers share and readers find."""
