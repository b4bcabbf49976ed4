"""HTTP connectors for TikTok, Meta (Instagram/Facebook) and YouTube. requests only."""
