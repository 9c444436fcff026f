from __future__ import annotations

from django.urls import URLPattern, path

from negotiation.review import views

app_name = "review"

urlpatterns: list[URLPattern] = [
    path("<int:game_id>/", views.overview, name="home"),
    path("<int:game_id>/timeline/", views.timeline_view, name="timeline"),
    path("<int:game_id>/knowledge/", views.knowledge_page, name="knowledge"),
    path("<int:game_id>/debrief/", views.debrief_page, name="debrief"),
    path("<int:game_id>/what-if/", views.whatif_page, name="whatif"),
    path("<int:game_id>/turn/<int:turn>/", views.turn_page, name="turn"),
    path("<int:game_id>/export/", views.export_download, name="export"),
    path("<int:game_id>/replay/", views.replay_check, name="replay"),
    path("<int:game_id>/bookmark/", views.bookmark, name="bookmark"),
    path("<int:game_id>/players/", views.players_permission, name="players"),
    path("<int:game_id>/participation/", views.participation_page, name="participation"),
]
