from django.urls import path

from xinbao.interests import views

app_name = "interests"

urlpatterns = [
    path("", views.mine, name="mine"),
    path("new/", views.create, name="create"),
    path("<int:pk>/", views.edit, name="edit"),
    path("<int:pk>/delete/", views.delete, name="delete"),
    path("mark/item/<int:pk>/", views.mark_item, name="mark_item"),
    path("mark/issue/<int:pk>/", views.mark_issue, name="mark_issue"),
    path("marks/", views.marks, name="marks"),
    path("requests/", views.requests, name="requests"),
    path("requests/new/", views.ask, name="ask"),
    path("requests/<int:pk>/", views.request_detail, name="request"),
    path("requests/<int:pk>/issue/", views.request_issue, name="request_issue"),
    path("requests/<int:pk>/withdraw/", views.request_withdraw, name="request_withdraw"),
]
