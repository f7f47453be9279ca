from django.urls import path

from xinbao.help import views

app_name = "help"
urlpatterns = [
    path("", views.index, name="index"),
    path("img/<str:name>", views.image, name="image"),
    path("<slug:slug>/", views.page, name="page"),
]
