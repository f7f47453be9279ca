from django.urls import path

from xinbao.monitor import views

app_name = "monitor"
urlpatterns = [
    path("", views.post_list, name="posts"),
    path("posts/<int:pk>/", views.post_detail, name="post"),
    path("posts/<int:pk>/promote/", views.post_promote, name="promote"),
    path("posts/<int:pk>/attach/", views.post_attach, name="attach"),
    path("posts/<int:pk>/incidents/<int:incident>/detach/", views.post_detach, name="detach"),
    path("sources/", views.source_list, name="sources"),
    path("sources/new/", views.source_create, name="source_create"),
    path("sources/<int:pk>/", views.source_edit, name="source_edit"),
    path("sources/<int:pk>/pause/", views.source_pause, name="source_pause"),
    path("sources/<int:pk>/resume/", views.source_resume, name="source_resume"),
    path("watchlist/", views.watchlist, name="watchlist"),
    path("watchlist/<int:pk>/remove/", views.term_remove, name="term_remove"),
]
