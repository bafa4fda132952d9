"""Sends what a Python Google client asks of Google's hosts to GoogleOAuth2Emulator instead.

Used by flows.py and shown in docs/emulator.md (Python).
"""
import urllib.parse

import requests.adapters

GOOGLE_HOSTS = (
    'oauth2.googleapis.com',
    'www.googleapis.com',
    'iamcredentials.googleapis.com',
    'iam.googleapis.com',
    'openidconnect.googleapis.com',
    'www.gstatic.com',
)


class EmulatorAdapter(requests.adapters.HTTPAdapter):
    """Sends each request to the emulator: same method, path, query, headers and body."""

    def __init__(self, emulator_url):
        super().__init__()
        self._emulator = urllib.parse.urlsplit(emulator_url)

    def send(self, request, **kwargs):
        url = urllib.parse.urlsplit(request.url)
        request.url = url._replace(
            scheme=self._emulator.scheme, netloc=self._emulator.netloc).geturl()
        return super().send(request, **kwargs)


def redirect_to_emulator(session, emulator_url):
    """Mounts EmulatorAdapter on a requests.Session for every Google host; returns the session."""
    adapter = EmulatorAdapter(emulator_url)
    for host in GOOGLE_HOSTS:
        session.mount('https://{}/'.format(host), adapter)
    return session
