from django.urls import path

from xinbao.analysis import views

app_name = "analysis"

urlpatterns = [
    path("", views.matrix, name="matrix"),
    path("cell/", views.cell, name="cell"),
    path("items/<int:pk>/placement/", views.place, name="place"),
    path("mix/", views.mix, name="mix"),
    path("targets/", views.targets, name="targets"),
    path("targets/<int:pk>/remove/", views.target_remove, name="target_remove"),
    path("proposals/", views.proposals, name="proposals"),
    path("proposals/<int:pk>/", views.proposal, name="proposal"),
]
