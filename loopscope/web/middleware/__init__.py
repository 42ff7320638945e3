"""What wraps every request: the learner cookie, request guards, security headers, CSRF checks,
the run rate limit and content-hashed static files."""
