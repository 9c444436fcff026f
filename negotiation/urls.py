from __future__ import annotations

from django.urls import path

from negotiation import views

app_name = "negotiation"

urlpatterns = [
    path("", views.home, name="home"),
    path("join/", views.join_lookup, name="join-lookup"),
    path("join/<str:code>/", views.join, name="join"),
    path("play/<str:code>/", views.room, name="room"),
    path("rules/", views.rules, name="rules"),
    path("healthz", views.healthz, name="healthz"),
    path("g/<int:game_id>/chat/", views.chat_post, name="chat-post"),
    path("g/<int:game_id>/chat/history/", views.chat_history, name="chat-history"),
    path("g/<int:game_id>/orders/add/", views.order_add, name="order-add"),
    path("g/<int:game_id>/orders/remove/", views.order_remove, name="order-remove"),
    path("g/<int:game_id>/ready/", views.ready, name="ready"),
    path("facilitate/", views.dashboard, name="dashboard"),
    path("facilitate/new/", views.game_new, name="game-new"),
    path("facilitate/<int:game_id>/", views.console, name="console"),
    path("facilitate/<int:game_id>/start/", views.game_start, name="game-start"),
    path("facilitate/<int:game_id>/resolve/", views.turn_resolve, name="turn-resolve"),
]
