from __future__ import annotations

from django.urls import path

from negotiation import views, views_accounts, views_console, views_mail, views_planner, views_reflections

app_name = "negotiation"

urlpatterns = [
    path("", views.home, name="home"),
    path("join/", views.join_lookup, name="join-lookup"),
    path("join/<str:code>/", views.join, name="join"),
    path("seat/<str:token>/", views.seat_link, name="seat-link"),
    path("play/<str:code>/", views.room, name="room"),
    path("projector/<str:code>/", views.projector, name="projector"),
    path("rules/", views.rules, name="rules"),
    path("my-games/", views_mail.my_games, name="my-games"),
    path("mail/off/<str:token>/", views_mail.mail_off, name="mail-off"),
    path("tutorial/", views.tutorial_new, name="tutorial"),
    path("play/<str:code>/guide/", views.guide, name="guide"),
    path("play/<str:code>/calendar.ics", views_mail.calendar, name="calendar"),
    path("healthz", views.healthz, name="healthz"),
    path("g/<int:game_id>/chat/", views.chat_post, name="chat-post"),
    path("g/<int:game_id>/chat/history/", views.chat_history, name="chat-history"),
    path("g/<int:game_id>/chat/search/", views.chat_search, name="chat-search"),
    path("g/<int:game_id>/channels/open/", views.channel_open, name="channel-open"),
    path("g/<int:game_id>/coalitions/", views.coalition_create, name="coalition-create"),
    path("g/<int:game_id>/coalitions/respond/", views.coalition_respond, name="coalition-respond"),
    path("g/<int:game_id>/orders/add/", views.order_add, name="order-add"),
    path("g/<int:game_id>/orders/remove/", views.order_remove, name="order-remove"),
    path("g/<int:game_id>/ready/", views.ready, name="ready"),
    path("g/<int:game_id>/switch/", views.seat_switch, name="seat-switch"),
    path("g/<int:game_id>/reflections/", views_reflections.room_reflections, name="reflections"),
    path("g/<int:game_id>/proposals/", views.proposal_create, name="proposal-create"),
    path("g/<int:game_id>/proposals/act/", views.proposal_act, name="proposal-act"),
    path("g/<int:game_id>/proposals/what-if/", views.proposal_projection, name="proposal-what-if"),
    path("facilitate/", views_console.dashboard, name="dashboard"),
    path("facilitate/new/", views_console.game_new, name="game-new"),
    path("facilitate/plan/", views_planner.plan_preview, name="plan-preview"),
    path("facilitate/<int:game_id>/", views_console.console, name="console"),
    path("facilitate/<int:game_id>/join-sheet/", views_console.join_sheet, name="join-sheet"),
    path("facilitate/<int:game_id>/start/", views_console.game_start, name="game-start"),
    path("facilitate/<int:game_id>/advance/", views_console.phase_advance, name="phase-advance"),
    path("facilitate/<int:game_id>/pause/", views_console.game_pause, name="game-pause"),
    path("facilitate/<int:game_id>/extend/", views_console.deadline_extend, name="deadline-extend"),
    path("facilitate/<int:game_id>/rollback/", views_console.phase_rollback, name="phase-rollback"),
    path("facilitate/<int:game_id>/end/", views_console.game_end, name="game-end"),
    path("facilitate/<int:game_id>/seats/", views_console.seat_action, name="seat-action"),
    path("facilitate/<int:game_id>/inject/preview/", views_console.inject_preview, name="inject-preview"),
    path("facilitate/<int:game_id>/inject/", views_console.inject_send, name="inject-send"),
    path("facilitate/<int:game_id>/inject/cancel/", views_console.inject_cancel, name="inject-cancel"),
    path("facilitate/<int:game_id>/reflections/", views_reflections.console_reflections, name="console-reflections"),
    path("facilitate/<int:game_id>/co-facilitators/", views_accounts.co_facilitators, name="co-facilitators"),
]
