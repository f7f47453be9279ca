from django.urls import path

from xinbao.signals import views

app_name = "signals"

urlpatterns = [
    path("", views.signal_list, name="list"),
    path("<int:pk>/", views.signal_detail, name="detail"),
    path("<int:pk>/acknowledge/", views.signal_acknowledge, name="acknowledge"),
    path("<int:pk>/dismiss/", views.signal_dismiss, name="dismiss"),
    path("<int:pk>/demand/", views.signal_demand, name="demand"),
]
