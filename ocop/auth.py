"""Logging in: the lockout after repeated failures (django-axes)."""

from axes.backends import AxesStandaloneBackend


class LoginThrottleBackend(AxesStandaloneBackend):
    """django-axes' check for logins that come with a request (the login page, the
    admin's). A login without one (the test client, a shell) has no address to
    lock out and goes on to the next backend instead of raising."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username, password, **kwargs)
