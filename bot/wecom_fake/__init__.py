"""A local WeCom 智能机器人 long-connection server over the local world (``agribot wecom-fake``)."""
