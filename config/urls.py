from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.urls import include, path

from negotiation import views_accounts


def favicon(request: HttpRequest) -> HttpResponsePermanentRedirect:
    """Browsers ask for /favicon.ico on pages without an icon link (JSON, files): no 404 for it."""
    return HttpResponsePermanentRedirect(static("img/favicon.svg"))


urlpatterns = [
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    # Teachers' accounts: invitations, and password reset by e-mail (Django's views; mail via the outbox).
    path("accounts/teachers/", views_accounts.teachers_page, name="teachers"),
    path("accounts/invite/", views_accounts.invite_code, name="invite-code"),
    path("accounts/invite/<str:token>/", views_accounts.invite_accept, name="invite-accept"),
    path("accounts/password-reset/", auth_views.PasswordResetView.as_view(
        form_class=views_accounts.OutboxPasswordResetForm), name="password_reset"),
    path("accounts/password-reset/sent/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path("accounts/reset/<uidb64>/<token>/", auth_views.PasswordResetConfirmView.as_view(),
         name="password_reset_confirm"),
    path("accounts/reset/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("admin/", admin.site.urls),
    path("favicon.ico", favicon),
    path("i18n/", include("django.conf.urls.i18n")),
    path("review/", include("negotiation.review.urls")),
    path("", include("negotiation.urls")),
]
