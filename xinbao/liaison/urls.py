from django.urls import path

from xinbao.liaison import views

app_name = "liaison"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("mine/", views.mine, name="mine"),
    path("share/", views.share, name="share"),
    path("request/", views.request_answer, name="request"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/answer/", views.answer, name="answer"),
    path("<int:pk>/take/", views.take, name="take"),
]
