from django.urls import path

from xinbao.agenda import views

app_name = "agenda"

urlpatterns = [
    path("", views.priority_list, name="list"),
    path("new/", views.priority_create, name="create"),
    path("<int:pk>/", views.priority_detail, name="detail"),
    path("<int:pk>/edit/", views.priority_edit, name="edit"),
    path("<int:pk>/milestones/", views.milestone_add, name="milestone_add"),
    path("<int:pk>/matches/", views.match_add, name="match_add"),
    path("milestones/<int:pk>/", views.milestone_edit, name="milestone_edit"),
    path("matches/<int:pk>/remove/", views.match_remove, name="match_remove"),
    path("items/<int:pk>/", views.item_match, name="item_match"),
    path("flags/<int:pk>/commission/", views.flag_commission, name="flag_commission"),
]
