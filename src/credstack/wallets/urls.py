from django.urls import path

from . import views

urlpatterns = [
    path(".well-known/openid-credential-issuer", views.issuer_metadata, name="oid4vci-issuer"),
    path(".well-known/oauth-authorization-server", views.authorization_server_metadata, name="oid4vci-as"),
    path("oid4vci/token", views.token, name="oid4vci-token"),
    path("oid4vci/nonce", views.nonce, name="oid4vci-nonce"),
    path("oid4vci/credential", views.credential, name="oid4vci-credential"),
    path("wallet/exchanges/<str:code>", views.exchange, name="vcapi-exchange"),
    path("me/c/<str:public_id>/wallet", views.add_to_wallet, name="wallet-add"),
]
