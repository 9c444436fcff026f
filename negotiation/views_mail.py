"""Players across devices: switching a notification off from its e-mail, and the 'my games' page
(the games of this browser, and the seat links of an e-mail address sent to that address)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from negotiation import mail, notifications, selectors, services
from negotiation.errors import RateLimited
from negotiation.models import Member


@never_cache
@csrf_exempt  # RFC 8058 one-click unsubscribe: the mail client POSTs without a session; the token is the proof
@require_http_methods(["GET", "POST"])
def mail_off(request: HttpRequest, token: str) -> HttpResponse:
    """One click from the e-mail switches that kind off; the page offers to switch it back on."""
    parsed = mail.read_opt_out_token(token)
    if parsed is None:
        return render(request, "negotiation/mail_off.html", {"invalid": True}, status=404)
    member_id, kind = parsed
    back_on = request.method == "POST" and request.POST.get("on") == "1"
    if not notifications.mute(member_id, kind, muted=not back_on):
        return render(request, "negotiation/mail_off.html", {"invalid": True}, status=404)
    member = Member.objects.select_related("seat__game").get(pk=member_id)
    return render(request, "negotiation/mail_off.html", {
        "kind_label": notifications.kind_label(kind), "muted": not back_on, "game": member.seat.game, "token": token})


@never_cache
@require_http_methods(["GET", "POST"])
def my_games(request: HttpRequest) -> HttpResponse:
    sent = False
    error = None
    status = 200
    if request.method == "POST":
        try:
            services.join_attempt_check(str(request.META.get("REMOTE_ADDR", "unknown")))
        except RateLimited as exc:
            error, status = exc.message, 429
        else:
            email = str(request.POST.get("email", "")).strip()[:254]
            if "@" not in email:
                error, status = gettext("That is not an e-mail address."), 422
            else:
                notifications.my_seats_mail(email)
                sent = True  # the same answer whether or not the address has seats
    return render(request, "negotiation/my_games.html", {
        "my_games": selectors.games_for_session(request.session), "sent": sent, "error": error,
    }, status=status)
