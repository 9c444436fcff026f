"""Teachers' accounts: the administrator's invitations page, accepting an invitation (by link or
code), password reset by e-mail (Django's own views; the mail goes through the outbox), and the
co-facilitators of a game."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model, login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordResetForm, UserCreationForm, UsernameField
from django.contrib.auth.models import AbstractBaseUser, User
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language, gettext, gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from negotiation import mail, selectors
from negotiation.errors import UserError
from negotiation.models import Game, TeacherInvitation
from negotiation.services import teachers


def _admin(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User) or not (user.is_superuser or user.has_perm("negotiation.add_teacherinvitation")):
        raise PermissionDenied
    return user


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def teachers_page(request: HttpRequest) -> HttpResponse:
    """The administrator invites teachers (by e-mail, or a code to hand out) and sees who joined."""
    admin = _admin(request)
    error = notice = None
    if request.method == "POST":
        try:
            invitation = teachers.invitation_create(by=admin, email=str(request.POST.get("email", ""))[:254],
                                                    base_url=request.build_absolute_uri("/"))
        except UserError as exc:
            error = exc.message
        else:
            notice = (gettext("Invitation sent to %(email)s.") % {"email": invitation.email} if invitation.email
                      else gettext("Invitation code: %(code)s") % {"code": invitation.code})
    invitations = [(inv, request.build_absolute_uri(reverse("invite-accept", kwargs={"token": inv.token})))
                   for inv in TeacherInvitation.objects.select_related("accepted_by")[:50]]
    staff = get_user_model().objects.filter(is_staff=True).order_by("username")
    return render(request, "accounts/teachers.html", {
        "invitations": invitations, "teachers": staff, "error": error, "notice": notice,
        "code_url": request.build_absolute_uri(reverse("invite-code")),
    }, status=422 if error else 200)


class CodeForm(forms.Form):
    code = forms.CharField(label=gettext_lazy("Invitation code"), max_length=20)


@never_cache
@require_http_methods(["GET", "POST"])
def invite_code(request: HttpRequest) -> HttpResponse:
    """A teacher who was handed a code types it here."""
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        invitation = teachers.invitation_usable(code=form.cleaned_data["code"])
        if invitation is not None:
            return redirect("invite-accept", token=invitation.token)
        form.add_error("code", gettext("No open invitation has that code. Check it, or ask for a new one."))
    return render(request, "accounts/invite_code.html", {"form": form}, status=422 if form.errors else 200)


class TeacherForm(UserCreationForm):  # type: ignore[type-arg]
    class Meta:
        model = User
        fields = ("username", "email")
        field_classes = {"username": UsernameField}


@never_cache
@require_http_methods(["GET", "POST"])
def invite_accept(request: HttpRequest, token: str) -> HttpResponse:
    invitation = teachers.invitation_usable(token=token)
    if invitation is None:
        return render(request, "accounts/invite_gone.html", status=404)
    form = TeacherForm(request.POST or None, initial={"email": invitation.email})
    if request.method == "POST" and form.is_valid():
        try:
            user = teachers.invitation_accept(invitation_id=invitation.pk, username=form.cleaned_data["username"],
                                              email=form.cleaned_data.get("email") or "",
                                              password=form.cleaned_data["password1"])
        except UserError as exc:
            form.add_error(None, exc.message)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            return redirect("negotiation:dashboard")
    return render(request, "accounts/invite_accept.html", {"form": form, "invitation": invitation},
                  status=422 if form.errors else 200)


class OutboxPasswordResetForm(PasswordResetForm):
    """Django's reset form, with the mail queued in the outbox instead of sent in the request."""

    def send_mail(self, subject_template_name: str, email_template_name: str, context: dict[str, Any],
                  from_email: str | None, to_email: str, html_email_template_name: str | None = None) -> None:
        user: AbstractBaseUser = context["user"]
        link = "{protocol}://{domain}{path}".format(
            protocol=context["protocol"], domain=context["domain"],
            path=reverse("password_reset_confirm", kwargs={"uidb64": context["uid"], "token": context["token"]}))
        mail.enqueue(key=f"reset:{user.pk}:{context['token']}", kind="password_reset", to=to_email,
                     mail=mail.render("password_reset", {"link": link, "username": user.get_username()},
                                      get_language()))


@login_required
@require_POST
def co_facilitators(request: HttpRequest, game_id: int) -> HttpResponse:
    """Add or remove a co-facilitator; answered with the console's co-facilitators partial."""
    game = get_object_or_404(Game, pk=game_id)
    user = request.user
    if not isinstance(user, User) or not selectors.is_facilitator(user, game):
        raise Http404("No such game among yours.")
    error = notice = None
    try:
        if request.POST.get("remove"):
            teachers.co_facilitator_remove(game_id=game.pk, by=user, user_id=int(str(request.POST["remove"])))
            notice = gettext("Removed.")
        else:
            row = teachers.co_facilitator_add(game_id=game.pk, by=user,
                                              identifier=str(request.POST.get("identifier", ""))[:254])
            notice = gettext("%(name)s can now open and run this game.") % {"name": row.user.get_username()}
    except UserError as exc:
        error = exc.message
    except ValueError:
        error = gettext("Unknown co-facilitator.")
    return render(request, "negotiation/_cofacilitators.html",
                  {"game": game, "co_facilitators": selectors.co_facilitators(game), "co_error": error,
                   "co_notice": notice, "is_owner": game.facilitator_id == user.pk},
                  status=422 if error else 200)
