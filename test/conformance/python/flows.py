"""Python's google-auth against GoogleOAuth2Emulator: each flow of docs/emulator.md (Python).

`python3 flows.py FLOW` runs one flow and prints its result as JSON on stdout; a Google error
prints {"error": CLASS, "message": TEXT} and exits 1. Run by test/e2e/conformance/python.e2e-spec.ts,
which sets the environment: EMULATOR_URL, KEY_FILE, SUBJECT, AUDIENCE, ID_TOKEN, CLIENT_ID and,
for the metadata flows, GCE_METADATA_HOST, GCE_METADATA_ROOT and GCE_METADATA_IP.
"""
import json
import os
import sys

import requests
import google.auth
import google.auth.exceptions
import google.auth.transport.requests
from google.auth import compute_engine
from google.oauth2 import id_token, service_account

from emulator_transport import redirect_to_emulator

EMULATOR_URL = os.environ['EMULATOR_URL']
KEY_FILE = os.environ.get('KEY_FILE')
CLOUD_PLATFORM = 'https://www.googleapis.com/auth/cloud-platform'
USERINFO_EMAIL = 'https://www.googleapis.com/auth/userinfo.email'

# Every request google-auth makes to Google's hosts goes to the emulator.
session = redirect_to_emulator(requests.Session(), EMULATOR_URL)
request = google.auth.transport.requests.Request(session)


def service_account_token():
    credentials = service_account.Credentials.from_service_account_file(
        KEY_FILE, scopes=[CLOUD_PLATFORM])
    credentials.refresh(request)
    return {'token': credentials.token}


def delegated_token():
    credentials = service_account.Credentials.from_service_account_file(
        KEY_FILE, scopes=[USERINFO_EMAIL]).with_subject(os.environ['SUBJECT'])
    credentials.refresh(request)
    return {'token': credentials.token}


def userinfo_as_user():
    credentials = service_account.Credentials.from_service_account_file(
        KEY_FILE, scopes=[USERINFO_EMAIL]).with_subject(os.environ['SUBJECT'])
    # google-auth 1.x's AuthorizedSession refreshes through a session of its own, which goes to
    # Google: refresh through the emulator first (later versions take auth_request=request).
    credentials.refresh(request)
    authed = redirect_to_emulator(
        google.auth.transport.requests.AuthorizedSession(credentials), EMULATOR_URL)
    return authed.get('https://www.googleapis.com/oauth2/v2/userinfo').json()


def id_token_for_audience():
    credentials = service_account.IDTokenCredentials.from_service_account_file(
        KEY_FILE, target_audience=os.environ['AUDIENCE'])
    credentials.refresh(request)
    claims = id_token.verify_oauth2_token(
        credentials.token, request, audience=os.environ['AUDIENCE'])
    return {'token': credentials.token, 'claims': claims}


def verify_id_token():
    claims = id_token.verify_token(
        os.environ['ID_TOKEN'], request, audience=os.environ['CLIENT_ID'],
        certs_url=EMULATOR_URL + '/oauth2/v1/certs')
    return {'claims': claims}


def verify_oauth2_token():
    claims = id_token.verify_oauth2_token(
        os.environ['ID_TOKEN'], request, audience=os.environ['CLIENT_ID'])
    return {'claims': claims}


def compute_engine_token():
    credentials = compute_engine.Credentials()
    credentials.refresh(request)
    return {'token': credentials.token, 'email': credentials.service_account_email}


def application_default():
    credentials, project_id = google.auth.default()
    credentials.refresh(request)
    return {'token': credentials.token, 'project_id': project_id}


def compute_engine_id_token():
    credentials = compute_engine.IDTokenCredentials(
        request, target_audience=os.environ['AUDIENCE'])
    credentials.refresh(request)
    claims = id_token.verify_oauth2_token(
        credentials.token, request, audience=os.environ['AUDIENCE'])
    return {'token': credentials.token, 'claims': claims}


FLOWS = {
    'service_account_token': service_account_token,
    'delegated_token': delegated_token,
    'userinfo_as_user': userinfo_as_user,
    'id_token_for_audience': id_token_for_audience,
    'verify_id_token': verify_id_token,
    'verify_oauth2_token': verify_oauth2_token,
    'compute_engine_token': compute_engine_token,
    'application_default': application_default,
    'compute_engine_id_token': compute_engine_id_token,
}

if __name__ == '__main__':
    try:
        print(json.dumps(FLOWS[sys.argv[1]]()))
    except (google.auth.exceptions.GoogleAuthError, ValueError) as error:
        print(json.dumps({'error': type(error).__name__, 'message': str(error)}))
        sys.exit(1)
