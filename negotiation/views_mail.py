"""Players across devices: switching a notification off from its e-mail, and the 'my games' page
(the games of this browser, and the seat links of an e-mail address sent to that address)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from negotiation import mail, notifications, remote, selectors, services
from negotiation.errors import RateLimited
from negotiation.models import Game, Member


@never_cache
@csrf_exempt  # RFC 8058 one-click unsubscribe: the mail client POSTs without a session; the token is the proof
@require_http_methods(["GET", "POST"])
def mail_off(request: HttpRequest, token: str) -> HttpResponse:
    """The e-mail's link opens a page with one button that switches that kind off (a GET changes
    nothing: link scanners and previews follow links); a mail client's one-click unsubscribe
    (RFC 8058) POSTs straight here. The page then offers to switch it back on."""
    parsed = mail.read_opt_out_token(token)
    if parsed is None:
        return render(request, "negotiation/mail_off.html", {"invalid": True}, status=404)
    member_id, kind = parsed
    member = Member.objects.select_related("seat__game").filter(pk=member_id).first()
    if member is None:
        return render(request, "negotiation/mail_off.html", {"invalid": True}, status=404)
    context = {"kind_label": notifications.kind_label(kind), "game": member.seat.game, "token": token}
    if request.method == "GET":
        return render(request, "negotiation/mail_off.html", {**context, "confirm": True})
    back_on = request.POST.get("on") == "1"
    if not notifications.mute(member_id, kind, muted=not back_on):
        return render(request, "negotiation/mail_off.html", {"invalid": True}, status=404)
    return render(request, "negotiation/mail_off.html", {**context, "muted": not back_on})


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


@require_http_methods(["GET"])
def calendar(request: HttpRequest, code: str) -> HttpResponse:
    """The game's deadlines as an .ics file: for anyone in the game, or a calendar app holding the
    signed link shown in the room (the deadlines are all it reveals)."""
    game = Game.objects.filter(code=code.strip().upper()).first()
    if game is None:
        raise Http404("No such game.")
    key = str(request.GET.get("key", ""))
    if not (key and remote.calendar_key_ok(game, key)) and selectors.viewer_for_request(request, game) is None:
        raise Http404("No such game among yours.")
    room = request.build_absolute_uri(reverse("negotiation:room", kwargs={"code": game.code}))
    response = HttpResponse(remote.ics(game, room), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="treatycraft-{game.code}.ics"'
    response["Cache-Control"] = "no-cache"
    return response
