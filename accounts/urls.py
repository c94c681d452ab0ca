"""Pages of one's own account: second factor and personal API tokens. Sign-in itself is in
config.urls (login/, logout/), and its second step here."""

from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("login/code/", views.second_factor, name="second-factor"),
    path("login/set-up-code/", views.second_factor_enrol, name="second-factor-enrol"),
    path("settings/security/", views.security, name="security"),
    path("settings/security/set-up/", views.second_factor_enrol, name="security-enrol"),
    path(
        "settings/security/recovery-codes/",
        views.recovery_codes_renew,
        name="recovery-codes-renew",
    ),
    path("settings/security/remove/", views.second_factor_remove, name="second-factor-remove"),
    path("settings/tokens/", views.tokens, name="tokens"),
    path("settings/language/", views.language, name="language"),
    path("settings/tokens/<int:token_id>/revoke/", views.token_revoke, name="token-revoke"),
]
