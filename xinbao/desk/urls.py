from django.urls import path

from xinbao.desk import views

app_name = "desk"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("queue/", views.queue, name="queue"),
    path("merge/", views.merge, name="merge"),
    path("<int:pk>/", views.item, name="item"),
    path("<int:pk>/lock/", views.lock, name="lock"),
    path("<int:pk>/unlock/", views.unlock, name="unlock"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/adopt/", views.adopt, name="adopt"),
    path("<int:pk>/return/", views.return_item, name="return"),
    path("<int:pk>/reject/", views.reject, name="reject"),
    path("<int:pk>/forward/", views.forward, name="forward"),
    path("<int:pk>/higher-adoption/", views.higher_adoption, name="higher_adoption"),
    path("<int:pk>/archive/", views.archive, name="archive"),
    path("<int:pk>/group/", views.group, name="group"),
    path("<int:pk>/group/draft/", views.group_draft, name="group_draft"),
]
