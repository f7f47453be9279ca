from django.urls import path

from xinbao.inbound import views

app_name = "inbound"
urlpatterns = [
    path("", views.message_list, name="list"),
    path("quarantine/", views.quarantine, name="quarantine"),
    path("quarantine/<int:pk>/release/", views.release, name="release"),
    path("quarantine/<int:pk>/reject/", views.reject, name="reject"),
    path("policy/", views.policy, name="policy"),
    # The channels' callbacks, as the gateway and WeCom are configured to call them.
    path("sms", views.sms, name="sms"),
    path("wecom", views.wecom, name="wecom"),
]
