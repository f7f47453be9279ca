from django.urls import path

from xinbao.scheduler import views

app_name = "scheduler"
urlpatterns = [
    path("", views.chores, name="chores"),
]
