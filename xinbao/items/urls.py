from django.urls import path

from xinbao.items import search_views, views

app_name = "items"
urlpatterns = [
    path("", views.item_list, name="list"),
    path("new/", views.item_create, name="create"),
    path("search/", search_views.search_page, name="search"),
    path("<int:pk>/", views.item_detail, name="detail"),
    path("<int:pk>/edit/", views.item_edit, name="edit"),
    path("<int:pk>/submit/", views.item_submit, name="submit"),
    path("<int:pk>/quality/", views.item_quality, name="quality"),
    path("quality-check/", views.item_quality_check, name="quality_check"),
    path("<int:pk>/withdraw/", views.item_withdraw, name="withdraw"),
    path("<int:pk>/receive/", views.item_receive, name="receive"),
    path("<int:pk>/label/", views.item_label, name="label"),
    path("<int:pk>/files/<int:att>/", views.attachment_download, name="attachment"),
    path("<int:pk>/files/<int:att>/view/", views.attachment_inline, name="attachment_inline"),
    path("<int:pk>/files/<int:att>/thumb/", views.attachment_thumb, name="attachment_thumb"),
    path("<int:pk>/files/<int:att>/remove/", views.attachment_remove, name="attachment_remove"),
]
