from django.contrib.auth import views as auth_views
from django.urls import path

from xinbao.accounts import views, views_clearance, views_otp
from xinbao.accounts.forms import LoginForm

app_name = "accounts"
urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="accounts/login.html", authentication_form=LoginForm
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", views.password_change, name="password_change"),
    # Keep these under /accounts/second-factor/: the middleware lets that prefix through.
    path("second-factor/", views_otp.verify, name="second_factor"),
    path("second-factor/enrol/", views_otp.enrol, name="second_factor_enrol"),
    path("users/<int:pk>/second-factor/reset/", views_otp.reset, name="second_factor_reset"),
    path("tokens/", views.token_list, name="token_list"),
    path("tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
    path("users/", views.user_list, name="user_list"),
    path("users/new/", views.user_create, name="user_create"),
    path("users/clearances/", views_clearance.clearance_list, name="clearance_list"),
    path("users/<int:pk>/clearance/", views_clearance.clearance_set, name="clearance_set"),
    path("users/<int:pk>/", views.user_edit, name="user_edit"),
    path("users/<int:pk>/unlock/", views.user_unlock, name="user_unlock"),
    path("users/<int:pk>/enable/", views.user_enable, name="user_enable"),
]
