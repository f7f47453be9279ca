from django.urls import path

from xinbao.topiclists import views

app_name = "topiclists"

urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.create, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/topics/new/", views.topic_add, name="topic_add"),
    path("<int:pk>/publish/", views.publish, name="publish"),
    path("<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("<int:pk>/coverage/", views.coverage, name="coverage"),
    path("<int:pk>/list.<str:fmt>", views.document, name="document"),
    path("topics/<int:pk>/", views.topic, name="topic"),
    path("topics/<int:pk>/edit/", views.topic_edit, name="topic_edit"),
    path("topics/<int:pk>/remove/", views.topic_remove, name="topic_remove"),
    path("topics/<int:pk>/move/", views.topic_move, name="topic_move"),
    path("topics/<int:pk>/link/", views.link, name="link"),
    path("topics/<int:pk>/dismiss/", views.dismiss, name="dismiss"),
    path("items/<int:pk>/link/", views.link_item, name="link_item"),
    path("answers/<int:pk>/unlink/", views.unlink, name="unlink"),
]
