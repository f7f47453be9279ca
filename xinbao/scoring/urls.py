from django.urls import path

from xinbao.scoring import views

app_name = "scoring"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("export.xlsx", views.export, name="export"),
    path("units/<int:pk>/", views.unit_detail, name="unit"),
]
