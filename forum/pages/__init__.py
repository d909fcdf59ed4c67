"""The site's fixed pages: home, about, guidelines, privacy, safety, help, and the quick exit."""
